variable "epochs" {
  type    = number
  default = 200

  validation {
    condition     = var.epochs >= 1 && var.epochs <= 100
    error_message = "epochs must be between 1 and 100."
  }
}

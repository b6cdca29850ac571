variable "epochs" {
  type    = number
  default = 200

  validation {
    condition     = var.epochs >= 1 && var.epochs <= 100
    error_message = "epochs must be between 1 and 100."
  }
}

variable "batch_size" {
  type    = number
  default = 4000

  validation {
    condition     = var.batch_size <= var.epochs * 10 && var.batch_size > 0
    error_message = "batch_size must be positive and at most ten times epochs (${var.epochs})."
  }
}

variable "model_id" {
  type        = string
  description = "The base model to customize."
}

variable "team" {
  default = "ml"
}

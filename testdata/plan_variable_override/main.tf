variable "name" {
  type    = string
  default = "default"
}
resource "fake_bucket" "data" {
  name = var.name
}

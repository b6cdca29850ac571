variable "name" {
  default = "untyped"
}
resource "fake_bucket" "data" {
  name = var.name
}

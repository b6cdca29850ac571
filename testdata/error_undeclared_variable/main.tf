variable "region" {
  type    = string
  default = "x"
}
resource "fake_bucket" "data" {
  name = var.regoin
}

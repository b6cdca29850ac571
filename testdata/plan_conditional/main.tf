variable "production" {
  type    = bool
  default = false
}
resource "fake_bucket" "data" {
  name = var.production ? "prod" : "dev"
  count = var.production ? 2 : 1
}

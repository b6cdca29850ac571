variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}
resource "fake_bucket" "data" {
  name = "data"
  tags = { token = var.token }
}

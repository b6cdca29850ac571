variable "password" {
  type      = string
  default   = "new-password"
  sensitive = true
}

resource "fake_bucket" "data" {
  name   = "data"
  secret = var.password
  tags   = { team = "ml", owner = var.password }
}

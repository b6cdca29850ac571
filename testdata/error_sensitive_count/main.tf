variable "replicas" {
  type      = number
  default   = 2
  sensitive = true
}

resource "fake_bucket" "data" {
  count = var.replicas
  name  = "data-${count.index}"
}

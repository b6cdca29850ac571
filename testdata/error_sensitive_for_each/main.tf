variable "names" {
  type      = set(string)
  default   = ["a", "b"]
  sensitive = true
}

resource "fake_bucket" "data" {
  for_each = var.names
  name     = each.key
}

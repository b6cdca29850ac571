variable "rules" {
  type    = list(string)
  default = ["a"]
}
resource "fake_bucket" "data" {
  name = "data"
  dynamic "versioning" {
    for_each = var.rules
    content {
      enabled = versioning.value == "a"
    }
  }
}

locals {
  joined = join(",")
}
resource "fake_bucket" "data" {
  name = "data"
}

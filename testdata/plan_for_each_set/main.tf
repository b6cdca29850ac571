resource "fake_bucket" "env" {
  for_each = toset(["a", "b"])
  name     = each.key
}

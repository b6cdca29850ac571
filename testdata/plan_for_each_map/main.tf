resource "fake_bucket" "env" {
  for_each = { dev = "d", prod = "p" }
  name     = "${each.key}-${each.value}"
}

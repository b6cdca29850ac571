resource "fake_bucket" "data" {
  name = upper("a", "b")
}

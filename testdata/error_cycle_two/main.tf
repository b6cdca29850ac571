resource "fake_bucket" "a" {
  name = fake_bucket.b.name
}
resource "fake_bucket" "b" {
  name = fake_bucket.a.name
}

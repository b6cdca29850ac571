resource "fake_bucket" "data" {
  provider = fake.west
  name     = "data"
}

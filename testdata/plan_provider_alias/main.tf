provider "fake" {
  region = "east"
}
provider "fake" {
  alias  = "west"
  region = "west"
}
resource "fake_bucket" "data" {
  provider = fake.west
  name     = "data"
}

data "fake_region" "current" {}
resource "fake_bucket" "data" {
  name = "data-${data.fake_region.current.name}"
}

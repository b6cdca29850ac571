resource "fake_bucket" "data" {
  name = "data"
  tags = { team = "other" }
  lifecycle {
    ignore_changes = [tags]
  }
}

resource "fake_bucket" "data" {
  name = "data"
}
resource "fake_job" "train" {
  model = "base"
  input = fake_bucket.data.arn
}

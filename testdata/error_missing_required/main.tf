resource "fake_job" "train" {
  epochs = 2
}

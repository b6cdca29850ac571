resource "fake_job" "train" {
  model  = "base"
  epochs = "many"
}

resource "fake_job" "train" {
  model = "base"
  hyperparameters = { epochCount = "2" }
}

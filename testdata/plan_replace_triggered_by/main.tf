resource "fake_job" "train" {
  model = "base"
  epochs = 3
}

resource "fake_bucket" "report" {
  name = "report"
  lifecycle {
    replace_triggered_by = [fake_job.train]
  }
}

resource "fake_job" "train" {
  model = "base-v2"
}
resource "fake_job" "eval" {
  model = "judge"
  input = fake_job.train.id
}

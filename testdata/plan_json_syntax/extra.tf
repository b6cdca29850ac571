# A native file beside the JSON one: both are the same module.
output "job_models" {
  value = fake_job.train[*].model
}

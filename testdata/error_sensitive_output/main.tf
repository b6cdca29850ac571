variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}
output "token" {
  value = "Bearer ${var.token}"
}

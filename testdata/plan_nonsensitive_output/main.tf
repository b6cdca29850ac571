variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

output "length" {
  # nonsensitive() states that this derived value reveals nothing secret.
  value = nonsensitive(length(var.token))
}

output "token" {
  value     = var.token
  sensitive = true
}

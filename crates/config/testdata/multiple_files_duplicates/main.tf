variable "region" {
  default = "us-east-1"
}

output "region" {
  value = var.region
}

resource "terraform_data" "x" {
  input            = "same"
  triggers_replace = ["v2"]
}

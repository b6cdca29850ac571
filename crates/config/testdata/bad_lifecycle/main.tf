resource "terraform_data" "x" {
  input = "a"

  lifecycle {
    prevent_destory       = true
    create_before_destroy = "yes"
    ignore_changes        = [input, "quoted"]
  }
}

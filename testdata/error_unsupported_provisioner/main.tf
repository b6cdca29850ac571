resource "terraform_data" "x" {
  provisioner "remote-exec" {
    inline = ["echo"]
  }
}

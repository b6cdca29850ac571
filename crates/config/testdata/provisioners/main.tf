resource "terraform_data" "prepare" {
  input = "data.jsonl"

  provisioner "local-exec" {
    command     = "echo ${self.input}"
    working_dir = path.module
    environment = { MODE = "prepare" }
  }

  provisioner "local-exec" {
    when       = destroy
    on_failure = continue
    command    = "rm -f data.jsonl"
  }

  provisioner "remote-exec" {
    inline = ["true"]
  }

  provisioner "local-exec" {
    when    = sometimes
    comand  = "x"
  }
}

output "self_outside" {
  value = self.input
}

resource "terraform_data" "connected" {
  input = "host"

  connection {
    host = self.input
  }
}

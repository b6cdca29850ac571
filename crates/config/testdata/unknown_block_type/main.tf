resorce "aws_s3_bucket" "data" {
  bucket = "x"
}

module "child" {
  source = "./child"
}

widget {}

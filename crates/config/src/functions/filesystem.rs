//! Filesystem functions: reading files, path manipulation, file hashes and `templatefile`.

use super::crypto::hex_digest;
use super::{
    CallError, Function, FunctionContext, argument_error, function, object_argument,
    string_argument,
};
use crate::value::Value;
use base64::Engine as _;
use std::path::{Component, Path, PathBuf};

pub(super) const FUNCTIONS: &[Function] = &[
    function("file", "file(path)", 1, Some(1), file),
    function("fileexists", "fileexists(path)", 1, Some(1), fileexists),
    function("filebase64", "filebase64(path)", 1, Some(1), filebase64),
    function("filesha1", "filesha1(path)", 1, Some(1), filesha1),
    function("filesha256", "filesha256(path)", 1, Some(1), filesha256),
    function("filesha512", "filesha512(path)", 1, Some(1), filesha512),
    function("filemd5", "filemd5(path)", 1, Some(1), filemd5),
    function(
        "templatefile",
        "templatefile(path, vars)",
        2,
        Some(2),
        templatefile,
    ),
    function("basename", "basename(path)", 1, Some(1), basename),
    function("dirname", "dirname(path)", 1, Some(1), dirname),
    function("abspath", "abspath(path)", 1, Some(1), abspath),
    function("pathexpand", "pathexpand(path)", 1, Some(1), pathexpand),
];

fn resolve(context: &FunctionContext, path: &str) -> PathBuf {
    let expanded = expand_home(path);
    if expanded.is_absolute() {
        expanded
    } else {
        context.base_directory.join(expanded)
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix('~'), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(home).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(path),
    }
}

fn read_bytes(arguments: &[Value], context: &FunctionContext) -> Result<Vec<u8>, CallError> {
    let path = string_argument(arguments, 0)?;
    let resolved = resolve(context, &path);
    // A device or FIFO (e.g. /dev/zero) could be read forever.
    if std::fs::metadata(&resolved).is_ok_and(|m| !m.is_file()) {
        return Err(argument_error(
            0,
            format!("\"{}\" is not a regular file", resolved.display()),
        ));
    }
    std::fs::read(&resolved).map_err(|error| {
        argument_error(
            0,
            format!("cannot read file \"{}\": {error}", resolved.display()),
        )
    })
}

fn read_text(arguments: &[Value], context: &FunctionContext) -> Result<String, CallError> {
    String::from_utf8(read_bytes(arguments, context)?).map_err(|_| {
        argument_error(
            0,
            "the file contains invalid UTF-8; use filebase64 to read binary files",
        )
    })
}

fn file(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    read_text(arguments, context).map(Value::String)
}

fn fileexists(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    let path = resolve(context, &string_argument(arguments, 0)?);
    match std::fs::metadata(&path) {
        Ok(metadata) if metadata.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(argument_error(
            0,
            format!("\"{}\" is not a regular file", path.display()),
        )),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(error) => Err(argument_error(
            0,
            format!("cannot stat \"{}\": {error}", path.display()),
        )),
    }
}

fn filebase64(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(read_bytes(arguments, context)?),
    ))
}

fn filesha1(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<sha1::Sha1>(&read_bytes(arguments, context)?))
}

fn filesha256(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<sha2::Sha256>(&read_bytes(arguments, context)?))
}

fn filesha512(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<sha2::Sha512>(&read_bytes(arguments, context)?))
}

fn filemd5(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<md5::Md5>(&read_bytes(arguments, context)?))
}

fn templatefile(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    let text = read_text(arguments, context)?;
    let variables = object_argument(arguments, 1)?;
    crate::eval::render_template_text(&text, variables, context.base_directory)
        .map_err(|message| CallError::Failed(format!("in template: {message}")))
}

fn basename(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let path = string_argument(arguments, 0)?;
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::string(if path.is_empty() { "." } else { "/" }));
    }
    Ok(Value::string(trimmed.rsplit('/').next().unwrap_or(trimmed)))
}

fn dirname(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let path = string_argument(arguments, 0)?;
    let trimmed = path.trim_end_matches('/');
    let directory = match trimmed.rfind('/') {
        Some(0) => "/".to_string(),
        Some(index) => trimmed[..index].trim_end_matches('/').to_string(),
        None if path.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
    };
    Ok(Value::String(if directory.is_empty() {
        "/".into()
    } else {
        directory
    }))
}

/// Lexical clean-up like Go's `filepath.Clean`: drops `.`, resolves `..`.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn abspath(arguments: &[Value], context: &FunctionContext) -> Result<Value, CallError> {
    let path = PathBuf::from(string_argument(arguments, 0)?);
    let absolute = if path.is_absolute() {
        path
    } else {
        let base = if context.base_directory.is_absolute() {
            context.base_directory.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|error| {
                    CallError::Failed(format!("cannot find the working directory: {error}"))
                })?
                .join(context.base_directory)
        };
        base.join(path)
    };
    Ok(Value::String(
        clean(&absolute).to_string_lossy().into_owned(),
    ))
}

fn pathexpand(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::String(
        expand_home(&string_argument(arguments, 0)?)
            .to_string_lossy()
            .into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::{check, check_in};

    #[test]
    fn path_functions_match_terraform_documentation() {
        check(&[
            (r#"basename("foo/bar/baz.txt")"#, r#""baz.txt""#),
            (r#"basename("foo/bar/")"#, r#""bar""#),
            (r#"dirname("foo/bar/baz.txt")"#, r#""foo/bar""#),
            (r#"dirname("baz.txt")"#, r#"".""#),
            (r#"dirname("/baz.txt")"#, r#""/""#),
            (r#"abspath("/a/b/../c/./d")"#, r#""/a/c/d""#),
            (r#"startswith(abspath("x"), "/")"#, "true"),
            (r#"pathexpand("/etc/hosts")"#, r#""/etc/hosts""#),
        ]);
        let home = std::env::var("HOME").unwrap_or_default();
        if !home.is_empty() {
            let expected = format!("{:?}", format!("{home}/.ssh/id_rsa"));
            check(&[(r#"pathexpand("~/.ssh/id_rsa")"#, expected.as_str())]);
        }
    }

    #[test]
    fn file_functions_read_relative_to_the_module() {
        let directory =
            std::env::temp_dir().join(format!("lathe-config-files-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(directory.join("hello.txt"), "Hello World").unwrap();
        std::fs::write(
            directory.join("recursive.tftpl"),
            "${templatefile(\"recursive.tftpl\", {})}",
        )
        .unwrap();
        std::fs::write(
            directory.join("backends.tftpl"),
            "%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n",
        )
        .unwrap();
        check_in(
            &[
                (r#"file("hello.txt")"#, r#""Hello World""#),
                (r#"file("missing.txt")"#, "error: cannot read file"),
                (r#"fileexists("hello.txt")"#, "true"),
                (r#"fileexists("missing.txt")"#, "false"),
                (r#"filebase64("hello.txt")"#, r#""SGVsbG8gV29ybGQ=""#),
                (r#"filesha256("hello.txt")"#, r#"sha256("Hello World")"#),
                (r#"filesha1("hello.txt")"#, r#"sha1("Hello World")"#),
                (r#"filesha512("hello.txt")"#, r#"sha512("Hello World")"#),
                (r#"filemd5("hello.txt")"#, r#"md5("Hello World")"#),
                (
                    r#"templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })"#,
                    r#""backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n""#,
                ),
                (
                    r#"templatefile("backends.tftpl", { port = 8080 })"#,
                    "error: There is no variable named \"ip_addrs\"",
                ),
                (
                    r#"templatefile("recursive.tftpl", {})"#,
                    "error: cannot be called from inside a template file",
                ),
                (r#"file("/dev/null")"#, "error: is not a regular file"),
            ],
            &directory,
        );
        std::fs::remove_dir_all(&directory).unwrap();
    }
}

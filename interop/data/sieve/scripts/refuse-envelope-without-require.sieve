if envelope "from" "a@example.com" { keep; }

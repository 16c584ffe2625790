if header :CONTAINS "subject" "x" { keep; }

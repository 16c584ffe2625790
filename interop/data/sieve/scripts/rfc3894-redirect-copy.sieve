require ["copy"];
if header :contains "to" "recipient@example.org" { redirect :copy "sales@example.com"; }

if address :domain :is "to" "EXAMPLE.ORG" { redirect "dom@example.net"; }

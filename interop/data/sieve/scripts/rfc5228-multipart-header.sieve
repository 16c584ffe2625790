if header :contains "content-type" "alternative" { redirect "alt@example.net"; }

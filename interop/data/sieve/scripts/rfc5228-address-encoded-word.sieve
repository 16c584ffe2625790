require "fileinto";
if address :is "from" "jose@example.es" { fileinto "jose-addr"; }

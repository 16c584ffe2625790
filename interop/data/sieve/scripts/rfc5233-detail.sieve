require ["envelope", "subaddress", "fileinto"];
if envelope :detail "to" "mta-filters" { fileinto "inbox.ietf-mta-filters"; }

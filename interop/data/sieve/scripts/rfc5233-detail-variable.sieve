require ["envelope","subaddress","variables","fileinto"];
if envelope :detail :matches "to" "*" { fileinto "INBOX.${1}"; }

require ["variables","fileinto"];
if header :matches "Subject" "*: * money *" { fileinto "${1}-${2}-${3}"; }

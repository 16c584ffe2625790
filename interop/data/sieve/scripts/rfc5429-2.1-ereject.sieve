require ["ereject"];
if address :domain :is "from" "example.com" {
    ereject "I no longer accept mail from this domain";
}

require "reject";
if header :contains "from" "sender@example.com" {
    reject "I no longer accept mail from this address";
}

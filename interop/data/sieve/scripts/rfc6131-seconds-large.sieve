require ["vacation-seconds"];
vacation :seconds 172800 "two days";

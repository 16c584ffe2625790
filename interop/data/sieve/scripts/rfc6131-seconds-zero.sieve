require ["vacation-seconds"];
vacation :seconds 0 "every time";

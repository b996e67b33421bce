// A two-way scenario with the AWS SDK for JavaScript v3 against `smsvoice-sim simulate`: a
// number with two-way on an SNS topic, a custom keyword, an outbound text, the handset's STOP
// (through the control API, as a test harness would post it), then the refused send.
// Usage: node two_way.mjs <endpoint-url> <topic-arn> <control-token>; prints one JSON object.
import {
  RequestPhoneNumberCommand, UpdatePhoneNumberCommand, PutKeywordCommand, SendTextMessageCommand,
  DescribeOptedOutNumbersCommand, DescribeKeywordsCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { clientFor, expectError } from "./common.mjs";

const [endpoint, topic, token] = process.argv.slice(2);
const client = clientFor(endpoint, "AKIAJAVASCRIPTSDK022");
const handset = "+14254147755"; // a US simulator destination: a SIMULATOR number sends only to those

async function inbound(body) {
  const answer = await fetch(`${endpoint}/_smsvoice/inbound`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-SmsVoice-Sim-Token": token },
    body: JSON.stringify({ from: handset, to: out.phone.PhoneNumber, body }),
  });
  return { status: answer.status, ...(await answer.json()) };
}

const out = {};
out.phone = await client.send(new RequestPhoneNumberCommand({
  IsoCountryCode: "US", MessageType: "TRANSACTIONAL", NumberCapabilities: ["SMS"], NumberType: "SIMULATOR",
}));
out.updated = await client.send(new UpdatePhoneNumberCommand({
  PhoneNumberId: out.phone.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic,
}));
await client.send(new PutKeywordCommand({
  OriginationIdentity: out.phone.PhoneNumberId, Keyword: "info", KeywordMessage: "Open 9 to 5.",
  KeywordAction: "AUTOMATIC_RESPONSE",
}));
out.keywords = await client.send(new DescribeKeywordsCommand({ OriginationIdentity: out.phone.PhoneNumberId }));
out.sent = await client.send(new SendTextMessageCommand({
  OriginationIdentity: out.phone.PhoneNumberId, DestinationPhoneNumber: handset, MessageBody: "Your code is 7",
}));
out.info = await inbound("Info please");
out.stop = await inbound("STOP");
out.optedOut = await client.send(new DescribeOptedOutNumbersCommand({ OptOutListName: "Default" }));
out.refused = await expectError(client.send(new SendTextMessageCommand({
  OriginationIdentity: out.phone.PhoneNumberId, DestinationPhoneNumber: handset, MessageBody: "again",
})));
for (const value of Object.values(out)) delete value.$metadata;
console.log(JSON.stringify(out));

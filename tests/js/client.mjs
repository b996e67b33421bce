// Drives smsvoice-sim with the AWS SDK for JavaScript v3, a client that shares no
// code with botocore. Usage: node client.mjs <simulate|workflow|sending> <endpoint-url>
// Prints one JSON object with what the service said, for pytest to check.
import {
  RequestSenderIdCommand, RequestPhoneNumberCommand,
  CreatePoolCommand, DescribePoolsCommand, DescribePhoneNumbersCommand, DeletePoolCommand,
  CreateConfigurationSetCommand, CreateEventDestinationCommand, DescribeConfigurationSetsCommand,
  SendTextMessageCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { clientFor, describeError, expectError } from "./common.mjs";

const [scenario, endpoint] = process.argv.slice(2);
const client = clientFor(endpoint);

async function simulate() {
  const out = {};
  const sender = await client.send(new RequestSenderIdCommand({ SenderId: "JSSDK", IsoCountryCode: "US" }));
  out.duplicateSender = await expectError(client.send(
    new RequestSenderIdCommand({ SenderId: "JSSDK", IsoCountryCode: "US" })));
  const phone = await client.send(new RequestPhoneNumberCommand({
    IsoCountryCode: "US", MessageType: "TRANSACTIONAL", NumberCapabilities: ["SMS"],
    NumberType: "SIMULATOR" }));
  const pool = await client.send(new CreatePoolCommand({
    OriginationIdentity: phone.PhoneNumberId, MessageType: "TRANSACTIONAL" }));
  out.created = { PoolId: pool.PoolId, Status: pool.Status,
                  createdIsDate: pool.CreatedTimestamp instanceof Date,
                  createdYear: pool.CreatedTimestamp.getUTCFullYear() };
  out.phoneInOtherPool = await expectError(client.send(new CreatePoolCommand({
    OriginationIdentity: phone.PhoneNumberId, MessageType: "TRANSACTIONAL" })));
  const described = await client.send(new DescribePoolsCommand({ PoolIds: [pool.PoolId] }));
  out.described = described.Pools.map((p) => ({ PoolId: p.PoolId, Status: p.Status,
                                                 createdIsDate: p.CreatedTimestamp instanceof Date }));
  const senderPool = await client.send(new CreatePoolCommand({
    OriginationIdentity: sender.SenderIdArn, MessageType: "TRANSACTIONAL" }));
  out.deleted = (await client.send(new DeletePoolCommand({ PoolId: senderPool.PoolId }))).Status;
  out.notFound = await expectError(client.send(
    new DescribePoolsCommand({ PoolIds: ["pool-00000000000000000000000000000000"] })));
  out.invalid = await expectError(client.send(new CreatePoolCommand({
    OriginationIdentity: "has spaces", MessageType: "TRANSACTIONAL" })));
  return out;
}

async function poll(make, pick, until) {
  const seen = [];
  for (let i = 0; i < 20; i++) {
    seen.push(pick(await client.send(make())));
    if (seen[seen.length - 1] === until) break;
  }
  return seen;
}

// The same steps as proxy.demo.pool_workflow, so a Python recording replays here.
async function workflow() {
  const out = [];
  const phone = await client.send(new RequestPhoneNumberCommand({
    IsoCountryCode: "US", MessageType: "TRANSACTIONAL", NumberCapabilities: ["SMS"],
    NumberType: "LONG_CODE" }));
  out.push(["RequestPhoneNumber", [phone.PhoneNumberId, phone.Status]]);
  out.push(["poll number", await poll(
    () => new DescribePhoneNumbersCommand({ PhoneNumberIds: [phone.PhoneNumberId] }),
    (r) => r.PhoneNumbers[0].Status, "ACTIVE")]);
  const pool = await client.send(new CreatePoolCommand({
    OriginationIdentity: phone.PhoneNumberId, MessageType: "TRANSACTIONAL" }));
  out.push(["CreatePool", [pool.PoolId, pool.Status]]);
  out.push(["poll pool", await poll(() => new DescribePoolsCommand({ PoolIds: [pool.PoolId] }),
    (r) => r.Pools[0].Status, "ACTIVE")]);
  const conflict = await expectError(client.send(new CreatePoolCommand({
    OriginationIdentity: phone.PhoneNumberId, MessageType: "TRANSACTIONAL" })));
  out.push(["CreatePool again", [conflict.name, conflict.Reason]]);
  out.push(["DeletePool", (await client.send(new DeletePoolCommand({ PoolId: pool.PoolId }))).Status]);
  return out;
}

// A configuration set with an SNS event destination, then a send through it.
async function sending() {
  const out = {};
  const set = await client.send(new CreateConfigurationSetCommand({
    ConfigurationSetName: "js-receipts", Tags: [{ Key: "sdk", Value: "js" }] }));
  out.set = { name: set.ConfigurationSetName, arn: set.ConfigurationSetArn,
              createdIsDate: set.CreatedTimestamp instanceof Date };
  const dest = await client.send(new CreateEventDestinationCommand({
    ConfigurationSetName: "js-receipts", EventDestinationName: "sns", MatchingEventTypes: ["TEXT_ALL"],
    SnsDestination: { TopicArn: "arn:aws:sns:us-east-1:123456789012:js-events" } }));
  out.destination = dest.EventDestination;
  const sent = await client.send(new SendTextMessageCommand({
    DestinationPhoneNumber: "+14254147755", MessageBody: "from JavaScript",
    ConfigurationSetName: "js-receipts", Context: { sdk: "js" } }));
  out.messageId = sent.MessageId;
  out.described = (await client.send(new DescribeConfigurationSetsCommand({})))
    .ConfigurationSets.map((s) => [s.ConfigurationSetName, s.EventDestinations.length]);
  out.missingSet = await expectError(client.send(new SendTextMessageCommand({
    DestinationPhoneNumber: "+14254147755", MessageBody: "x", ConfigurationSetName: "nope" })));
  return out;
}

const scenarios = { simulate, workflow, sending };
if (!(scenario in scenarios)) {  // a mistyped scenario must not run another one and pass
  console.error(`unknown scenario ${scenario}: use one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
const result = await scenarios[scenario]();
console.log(JSON.stringify(result));

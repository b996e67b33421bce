// What every script here shares: a client for the endpoint under test, and errors read the
// same way (the modeled members AWS sends surface on the SDK's error objects).
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";

export function clientFor(endpoint, accessKeyId = "AKIAJAVASCRIPTSDK000") {
  return new PinpointSMSVoiceV2Client({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId, secretAccessKey: "js-secret" },
    maxAttempts: 1,
  });
}

export function describeError(err) {
  return {
    name: err.name,
    status: err.$metadata?.httpStatusCode,
    Reason: err.Reason ?? null,
    ResourceType: err.ResourceType ?? null,
    ResourceId: err.ResourceId ?? null,
    message: err.message,
  };
}

export async function expectError(promise) {
  try {
    await promise;
    return { name: "no error" };
  } catch (err) {
    return describeError(err);
  }
}

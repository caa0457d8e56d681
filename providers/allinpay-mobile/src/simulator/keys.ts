import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** The simulator's signing identity: an RSA key and a self-signed certificate standing in for Allinpay's. */
export interface SimulatorIdentity {
  /** Private key (node:crypto), used for every signature. */
  readonly privateKey: KeyObject;
  /** The certificate as PEM: what the merchant configures as Allinpay's certificate. */
  readonly certificatePem: string;
  /** The certificate as DER bytes. */
  readonly certificateDer: Uint8Array;
}

let cached: SimulatorIdentity | undefined;

/**
 * Makes (once per process) a 2048-bit RSA key with node:crypto and a self-signed X.509 certificate
 * for it with node-forge. Test-time only: node-forge never runs on a request path.
 */
export function simulatorIdentity(): SimulatorIdentity {
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.UTC(2020, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2040, 0, 1));
  const subject = [{ name: 'countryName', value: 'CN' }, { name: 'organizationName', value: 'paykit Allinpay simulator' }, { name: 'commonName', value: 'allinpay-simulator.test' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forgeKey, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  const certificateDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  cached = { privateKey, certificatePem, certificateDer: new Uint8Array(certificateDer) };
  return cached;
}
